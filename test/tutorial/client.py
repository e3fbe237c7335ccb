# The tutorial's Python `requests` client, as published, with only Python 2 print
# statements written as print() calls so that it runs on Python 3. The test runs it
# against an ephemeral port by replacing the base URL; nothing else changes.

# Import the requests library
import requests

# Prints few response parameters
def printResponse():
	print("Status code  : ", r.status_code)
	print("Encoding     : ", r.encoding)
	print("JSON         : ", r.json())
	print("Content type : ", r.headers["Content-Type"])
	print("")

# Define 2 car objects in json format
car1 = {"id": 1, "model": "Honda", "color": "White" }
car2 = {"id": 2, "model": "Ford", "color": "Black" }

# HTTP POST: Add first car
r = requests.post('http://localhost:8080/cars', json=car1)
print("--- Adding car 1\n")
printResponse()

# Add second car
r = requests.post('http://localhost:8080/cars', json=car2)
print("--- Adding car 2\n")
printResponse()

# HTTP GET: get all cars
r = requests.get("http://localhost:8080/cars/");
print("--- Retrieving all cars\n")
printResponse()

# Print retrieved cars
for car in r.json():
    print('{} {} {}\n'.format(car['id'], car['model'], car['color']))
# GET the second car
r = requests.get("http://localhost:8080/cars/2");
print("--- Retrieving car 2\n")
printResponse()

# Print retrieved car
print('\n{} {} {}\n'.format(r.json()['id'], r.json()['model'], r.json()['color']))

# PUT to update first car
car3 = {"id": 1, "model": "New Honda", "color": "New Black" }
r = requests.put("http://localhost:8080/cars/1", json=car3);
print("--- Updating car 1\n")
printResponse()

# GET the first car to see if it was updated
r = requests.get("http://localhost:8080/cars/1");
print("--- Retrieving car 1\n")
printResponse()

# Print retrieved car
print('{} {} {}\n'.format(r.json()['id'], r.json()['model'], r.json()['color']))

# Delete first car
r = requests.delete("http://localhost:8080/cars/1");
print("--- Deleting car 1\n")

# HTTP GET: get all cars
r = requests.get("http://localhost:8080/cars/");
print("--- Retrieving all cars\n")
printResponse()
